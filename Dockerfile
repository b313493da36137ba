# The jixiao image used by docker-compose.yml: Python 3.11, the locked dependencies, this checkout.
# Kafka runs in its own container (apache/kafka), so no Java here.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TZ=Asia/Shanghai JX_HOME=/var/lib/jixiao
WORKDIR /opt/jixiao

COPY requirements.lock ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache -r requirements.lock

COPY . .
# Editable, as in `make setup`: the DAGs, the dbt project and the configs are found beside the code.
RUN uv pip install --system --no-cache --no-deps -e . \
 && mkdir -p "$JX_HOME"

CMD ["jixiao", "--help"]
