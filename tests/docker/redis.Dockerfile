# Redis for `make docker-test` (tests/docker/run.sh), from the same Debian base as the demo's
# image, so that no image registry is needed: Debian's redis-server, on the test's own
# network only, nothing saved. Like the official image, it works in /data, as the user redis
# (so that examples/demo/compose.yml can run with it: CAPSIGN_REDIS_IMAGE=capsign-redis:test).
ARG BASE=debian:bookworm-slim
FROM ${BASE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && install -d -o redis -g redis -m 700 /data
USER redis
WORKDIR /data
VOLUME /data
EXPOSE 6379
CMD ["redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
