# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the full toolchain.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies only, non-root.
FROM node:24-slim
# glibc's malloc keeps what is freed: an arena per thread that allocates (MALLOC_ARENA_MAX caps
# them at two), and large buffers in its heap unless they are mapped on their own (from 64 KB:
# MALLOC_MMAP_THRESHOLD_), so a burst's transient buffers go back to the system when freed.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=65536
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
COPY config ./config
# The embedded database's directory (DATA_DIR, ./data), writable by the app's user; mount a
# volume here, or set DATABASE_URL.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The same flags as `npm start`: a 4 MB semi-space bounds V8's young generation, and V8 favours
# memory over speed in its heap sizing (bench/memory-soak.ts).
CMD ["node", "--max-semi-space-size=4", "--optimize-for-size", "dist/server.js"]
