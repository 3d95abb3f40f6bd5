# The Precursor game server. Build: docker build -t precursor .   Run: docker run -p 8765:8765 precursor
# docs/deploy.md ("Running a class server") walks through this file and compose.yaml.

# -- build: pip install '.[server]' (the core and the server extra, no terminal client) compiles the
#    engine and the bots with mypyc (setup.py), which needs a C compiler; the runtime image below gets
#    the built virtualenv and no compiler
FROM python:3.11-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN python -m venv /opt/precursor \
 && /opt/precursor/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/precursor/bin/pip install --no-cache-dir '.[server]'

# -- run
FROM python:3.11-slim
# a fixed uid, so a volume's owner is the same in every container made from this image
RUN groupadd --system --gid 10001 precursor \
 && useradd --system --uid 10001 --gid precursor --home-dir /data --no-create-home precursor \
 && mkdir -p /data \
 && chown precursor:precursor /data \
 && chmod 0700 /data
COPY --from=build /opt/precursor /opt/precursor
ENV PATH=/opt/precursor/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PRECURSOR_PORT=8765 \
    PRECURSOR_STORE=sqlite:////data/games.db
USER precursor
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8765
# healthy only when /api/health says "ok": a server whose store is unreachable reports "degraded"
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-m", "server.healthcheck"]
# sh -c so that $PRECURSOR_STORE is expanded; exec so that the server gets the stop signal
CMD ["sh", "-c", "exec precursor serve --host 0.0.0.0 --store \"$PRECURSOR_STORE\""]
