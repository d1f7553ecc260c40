# syntax=docker/dockerfile:1
# l5d runtime images. Targets: controller, proxy, debug.
#   docker build --target controller -t ghcr.io/l5d/controller:<version> .
#   docker build --target proxy      -t ghcr.io/l5d/proxy:<version> .
#   docker build --target debug      -t ghcr.io/l5d/debug:<version> .

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Native addons (node-gyp) need a toolchain at build time only.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /opt/l5d
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin

FROM runtime AS controller
# The chart runs the policy controller as `/linkerd-policy-controller`; keep that path.
RUN printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-policy-controller.js "$@"\n' > /linkerd-policy-controller \
 && chmod 0755 /linkerd-policy-controller
USER 2103
ENTRYPOINT ["node", "/opt/l5d/bin/l5d-controller.js"]

FROM runtime AS proxy
# proxy-init drives iptables (nft and legacy back ends) from the linkerd-init container.
RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /usr/lib/linkerd \
 && printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-proxy-init.js "$@"\n' > /usr/lib/linkerd/linkerd2-proxy-init \
 && printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-await.js "$@"\n' > /usr/lib/linkerd/linkerd-await \
 && printf '#!/bin/sh\nexec node /opt/l5d/bin/l5d-proxy-init.js network-validator "$@"\n' > /usr/lib/linkerd/linkerd2-network-validator \
 && chmod 0755 /usr/lib/linkerd/*
USER 2102
ENTRYPOINT ["node", "/opt/l5d/bin/l5d-proxy.js"]

FROM runtime AS debug
RUN apt-get update && apt-get install -y --no-install-recommends curl dnsutils iproute2 iptables netcat-openbsd procps tcpdump \
 && rm -rf /var/lib/apt/lists/*
ENTRYPOINT ["/bin/sh", "-c", "trap : TERM INT; sleep infinity & wait"]
