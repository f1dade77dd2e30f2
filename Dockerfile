# ConvLens: the web app and JSON API with the bundled model (no dataset needed to run).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CONVLENS_WORKERS=2 \
    CONVLENS_DATA=/data/mnist

WORKDIR /srv/convlens

# Runtime dependencies only, at the versions of requirements.lock (hash-checked), then the
# package itself without resolving anything again.
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY app ./app
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 convlens \
    && mkdir -p /data/mnist /data/atlas \
    && chown convlens /data/mnist /data/atlas \
    && rm -rf /srv/convlens/engine /srv/convlens/app

USER convlens
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"]
CMD ["sh", "-c", "exec convlens serve --host 0.0.0.0 --port 8000 --workers \"$CONVLENS_WORKERS\""]
