# asn-dash in a container: the app on port 8501, its DuckDB store on the volume /data,
# Debian's Chromium for the chart images (kaleido) and LibreOffice for the PDF report.
# Build and run: docker compose up -d   (or: docker build -t asn-dash . &&
#   docker run -p 8501:8501 -v asn-data:/data asn-dash)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ASN_DB=/data/asn.duckdb \
    ASN_USERS=/data/users.toml

WORKDIR /app

# The same installer as on any machine: Debian packages (chromium, libreoffice-writer-nogui,
# python3-uno, fonts-liberation, fonts-dejavu-core) and the locked Python packages into /app/.venv. Only what it reads is copied
# first, so code changes do not reinstall.
COPY scripts/setup.sh scripts/setup.sh
COPY requirements.lock requirements.lock
RUN bash scripts/setup.sh \
    && rm -rf /var/lib/apt/lists/* /root/.cache

COPY . .

# Run as a user without privileges; it owns only the store's folder.
RUN useradd --create-home --uid 10001 asn \
    && mkdir -p /data \
    && chown asn:asn /data
USER asn
VOLUME /data
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["/app/.venv/bin/python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
