# ocpp-cs against an external PostgreSQL (OCPP_CS_DATABASE_URL): the image carries psql for
# `ocpp-cs psql`, not a PostgreSQL server, so the embedded cluster is not available here.
# docker-compose.yml runs it with a postgres:15 service.
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
COPY emulator ./emulator
COPY db ./db
COPY conf ./conf
RUN pip install --no-cache-dir .

# The migrations and functions ship inside the installed package (server/sqlfiles.py),
# conf/ocpp-cs.toml is read from the working directory; every key can be overridden with
# OCPP_CS_<SECTION>_<KEY>.
ENV OCPP_CS_SERVER_HOST=0.0.0.0 \
    OCPP_CS_SERVER_PORT=9220 \
    PYTHONUNBUFFERED=1

RUN useradd --system --home-dir /app ocpp && mkdir -p /var/lib/ocpp-cs && chown ocpp /var/lib/ocpp-cs
ENV OCPP_CS_DATABASE_DATA_DIR=/var/lib/ocpp-cs
USER ocpp

EXPOSE 9220
# /ping on the port ocpp-cs is configured with (conf/ocpp-cs.toml and OCPP_CS_SERVER_PORT, read as
# serve reads them), not a fixed 9220.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import sys, urllib.request; from ocpp_cs.config import config_path_default, load; s = load(config_path_default()).server; h = s.host if s.host not in ('', '0.0.0.0', '::') else '127.0.0.1'; sys.exit(urllib.request.urlopen(f'http://{h}:{s.port}/ping', timeout=2).status != 200)"

CMD ["ocpp-cs", "serve"]
