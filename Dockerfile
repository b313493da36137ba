# The jixiao image used by docker-compose.yml: Python 3.11, the locked dependencies, this checkout.
# Kafka runs in its own container (apache/kafka), so no Java here.
FROM python:3.11-slim

# The dependencies are byte-compiled once at install (--compile-bytecode): with PYTHONDONTWRITEBYTECODE nothing is
# written at run time, so without it every process (dbt, each landing or scoring worker) compiled them again.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TZ=Asia/Shanghai JX_HOME=/var/lib/jixiao
WORKDIR /opt/jixiao

COPY requirements.lock ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache --compile-bytecode -r requirements.lock

COPY . .
# Editable, as in `make setup`: the DAGs, the dbt project and the configs are found beside the code.
RUN uv pip install --system --no-cache --no-deps -e . \
 && mkdir -p "$JX_HOME"

CMD ["jixiao", "--help"]
