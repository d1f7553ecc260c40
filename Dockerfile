# syntax=docker/dockerfile:1
# l5d runtime images. Targets: controller, proxy, debug.
#   docker build --target controller -t ghcr.io/l5d/controller:<version> .
#   docker build --target proxy      -t ghcr.io/l5d/proxy:<version> .
#   docker build --target debug      -t ghcr.io/l5d/debug:<version> .
# Without Docker, images/build.sh builds the same images (and the pause image) from images/spec.ts;
# test/unit/dockerfile.test.ts holds this file to that spec (packages, wrapper programs, users,
# entrypoints) and checks that every program and file referenced here exists or is produced by
# `npm run build`.

# The build stage only needs Node 20 and a toolchain; the addon it compiles targets Node 20's ABI,
# which the runtime's Debian nodejs (20.19) shares.
ARG NODE_IMAGE=node:20-bookworm-slim
# trixie: its nodejs (20.19) satisfies engines.node; bookworm's (18) does not.
ARG DEBIAN_IMAGE=debian:trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Native addons (node-gyp) need a toolchain at build time only.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
# Only the build's inputs: a plain `COPY . .` would drag the host's node_modules, dist and
# native/build (stale outputs) and the working notes into the image.
COPY tsconfig.base.json tsconfig.build.json ./
COPY native/binding.gyp native/orig_dst.cc ./native/
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
RUN npm run build && npm prune --omit=dev
# proxy-init's entry point: see images/launcher/net-admin-launcher.c.
COPY images/launcher ./images/launcher
RUN mkdir -p /src/launchers \
 && gcc -static -Os -s -Wall -Wextra -Werror '-DTARGET="/opt/l5d/bin/l5d-proxy-init.js"' -o /src/launchers/linkerd2-proxy-init images/launcher/net-admin-launcher.c

FROM ${DEBIAN_IMAGE} AS runtime
ENV NODE_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends nodejs ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
WORKDIR /opt/l5d
# package.json carries "type": "module", which makes dist/**/*.js ES modules.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin

FROM runtime AS controller
# The install manifests run the policy container with command: ['/linkerd-policy-controller'].
RUN printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-controller.js policy "$@"\n' > /linkerd-policy-controller \
 && chmod 0755 /linkerd-policy-controller
USER 2103
ENTRYPOINT ["node", "/opt/l5d/bin/l5d-controller.js"]

FROM runtime AS proxy
# SO_ORIGINAL_DST addon; dist/runtime/proxy loads it from <root>/native/build/Release.
COPY --from=build /src/native/build/Release/orig_dst.node ./native/build/Release/orig_dst.node
COPY --from=build /src/launchers/linkerd2-proxy-init /usr/lib/linkerd/linkerd2-proxy-init
# proxy-init drives iptables (nft and legacy back ends) from the linkerd-init container, which runs
# as UID 65534 by default: as upstream, the xtables binaries carry NET_ADMIN/NET_RAW file capabilities,
# and so does proxy-init's launcher, which keeps them across exec under no_new_privs.
RUN apt-get update && apt-get install -y --no-install-recommends iptables libcap2-bin \
 && setcap cap_net_raw,cap_net_admin+eip /usr/sbin/xtables-legacy-multi \
 && setcap cap_net_raw,cap_net_admin+eip /usr/sbin/xtables-nft-multi \
 && setcap cap_net_admin,cap_net_raw+ep /usr/lib/linkerd/linkerd2-proxy-init \
 && apt-get purge -y --auto-remove libcap2-bin && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
 && mkdir -p /usr/lib/linkerd \
 && printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-await.js "$@"\n' > /usr/lib/linkerd/linkerd-await \
 && printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-network-validator.js "$@"\n' > /usr/lib/linkerd/linkerd2-network-validator \
 && chmod 0755 /usr/lib/linkerd/*
USER 2102
ENTRYPOINT ["node", "/opt/l5d/bin/l5d-proxy.cjs"]

FROM runtime AS debug
RUN apt-get update && apt-get install -y --no-install-recommends curl dnsutils iproute2 iptables netcat-openbsd procps tcpdump \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
ENTRYPOINT ["/bin/sh", "-c", "trap : TERM INT; sleep infinity & wait"]
