#!/bin/sh
# The genstream command inside the images: the same JVM flags as ./genstream, with the heap
# taken from the container's memory limit (GENSTREAM_JAVA_OPTS, set in the Dockerfile).
. /usr/local/lib/genstream/torch-cpu.sh
# ai.djl.offline: the PyTorch natives come from the pytorch-native-cpu jar; never download.
exec java ${GENSTREAM_JAVA_OPTS} -Dai.djl.offline=true -Djava.awt.headless=true \
  -jar "${GENSTREAM_HOME:-/opt/genstream}/genstream-app.jar" "$@"
