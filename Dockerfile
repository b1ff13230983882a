# One image for the four services and the `tracker` command (compose picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# The dependencies in their own layer, rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt

# Then the project, installed in place (-e): `tracker migrate` looks for each service's
# migrations beside its package (services/<name>/migrations), which a built wheel does
# not carry, so a plain `pip install .` would leave the services without their schema.
COPY . .
RUN pip install --no-deps -e . \
    && useradd --create-home --uid 10001 tracker

USER tracker
EXPOSE 8001 8002 8003 8005
CMD ["tracker", "--help"]
