# One image for both processes: `node dist/src/main.js` (API) and `node dist/src/worker.js` (worker).
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV PUPPETEER_SKIP_DOWNLOAD=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
# Debian's Chromium as its headless shell (no browser download; the worker prints with it), IPAex fonts
# (TrueType, so PDFs embed CID TrueType, never Type 3), poppler and qpdf for PDF checks and merging.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium-headless-shell fonts-ipaexfont poppler-utils qpdf ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production CHROMIUM_PATH=/usr/lib/chromium/chromium-headless-shell
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY templates ./templates
COPY views ./views
COPY public ./public
# var/ holds the development seal certificate (trial installs) and, without SMTP, written mail.
RUN mkdir -p var && chown node:node var
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
