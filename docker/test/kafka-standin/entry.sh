#!/bin/bash
# test stand-in for apache/kafka: KAFKA_FOO_BAR=x -> foo.bar=x, format storage, run kafka.Kafka
set -e
props=/tmp/server.properties
: > "$props"
for v in $(compgen -e | grep '^KAFKA_'); do
  key="$(echo "${v#KAFKA_}" | tr 'A-Z_' 'a-z.')"
  echo "$key=${!v}" >> "$props"
done
cat "$props"
java -cp '/opt/genstream/lib/*' kafka.tools.StorageTool format -t "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$props" --ignore-formatted
exec java -Xmx512m -cp '/opt/genstream/lib/*' kafka.Kafka "$props"
