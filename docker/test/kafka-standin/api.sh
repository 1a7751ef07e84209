#!/bin/bash
# stand-in for kafka-broker-api-versions.sh --bootstrap-server localhost:9092: a TCP check
exec 3<>/dev/tcp/127.0.0.1/9092
