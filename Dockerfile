# RedAlert: errbot + the slackv3 backend + the RedAlert plugin, as a non-root container.
#   docker build -t redalert .
#   docker run -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_APP_TOKEN=xapp-… -e REDALERT_ADMINS=U012AB3CD \
#              -v redalert-data:/data redalert
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REDALERT_DATA_DIR=/data \
    PYTHONPATH=/app/plugins/redalert

RUN groupadd --system --gid 10001 redalert \
    && useradd --system --uid 10001 --gid redalert --home-dir /app --shell /usr/sbin/nologin redalert \
    && mkdir -p /data \
    && chown redalert:redalert /data

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=redalert:redalert config.py config_template.py ./
COPY --chown=redalert:redalert plugins ./plugins
COPY --chown=redalert:redalert storage ./storage
COPY --chown=redalert:redalert backends ./backends

USER 10001:10001
# The SQLite database (the default) lives here; with REDALERT_DATABASE_URL=postgresql://… nothing is kept on disk.
VOLUME ["/data"]
# Replica health (compose health checks, Kubernetes probes): `python -m redalert_core.store.healthcheck`, see docs/deploy.md.
# config.py turns SIGTERM into errbot's clean SIGINT shutdown; SIGINT is also what errbot handles natively.
STOPSIGNAL SIGINT
CMD ["errbot", "-c", "config.py"]
