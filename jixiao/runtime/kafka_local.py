"""A real single-node Apache Kafka (KRaft, combined broker + controller) on 127.0.0.1.

The broker's jars come from Maven Central (``kafka/pom.xml``) into a git-ignored cache; storage
is formatted once; the broker runs as a detached process whose pid is kept in the data dir.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jixiao.runtime.config import REPO_ROOT, Settings, settings

POM = REPO_ROOT / "kafka" / "pom.xml"
LOG4J_CONFIG = REPO_ROOT / "kafka" / "log4j2.properties"
CLUSTER_ID = "jixiaoLocalKRaft00000A"  # 22-char base64 UUID; fixed so re-formatting is idempotent


class KafkaError(RuntimeError):
    """The local broker could not be set up, started or stopped; the message says what to do."""


def kafka_version() -> str:
    """The Kafka version pinned in ``kafka/pom.xml`` (single source of truth)."""
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text(encoding="utf-8"))
    if not match:
        raise KafkaError(f"no <kafka.version> in {POM}")
    return match.group(1)


def jar_dir(cfg: Settings | None = None) -> Path:
    cfg = cfg or settings()
    return cfg.cache / f"kafka-{kafka_version()}" / "lib"


def ensure_jars(cfg: Settings | None = None) -> Path:
    """Resolve the broker and tools jars with Maven once; later calls reuse the cache."""
    lib = jar_dir(cfg)
    marker = lib / ".complete"
    if marker.exists():
        return lib
    if shutil.which("mvn") is None:
        raise KafkaError("Maven (mvn) is not on PATH: install Maven 3.8+ and Java 17+, then retry.")
    staging = lib.with_name("lib.partial")
    shutil.rmtree(staging, ignore_errors=True)
    cmd = ["mvn", "-B", "-q", "-f", str(POM), "dependency:copy-dependencies",
           f"-DoutputDirectory={staging}", "-DincludeScope=runtime"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise KafkaError("Maven could not resolve the Kafka jars (is Maven Central reachable?):\n"
                         + (result.stdout + result.stderr)[-3000:])
    (staging / ".complete").write_text(kafka_version(), encoding="utf-8")
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    return lib


def java_command(main_class: str, args: list[str], cfg: Settings | None = None,
                 heap: str = "256m") -> list[str]:
    """A ``java`` command line running ``main_class`` from the Kafka jars (broker or a tool)."""
    cfg = cfg or settings()
    lib = ensure_jars(cfg)
    java = shutil.which("java")
    if java is None:
        raise KafkaError("java is not on PATH: install a Java 17+ runtime, then retry.")
    return [java, f"-Xmx{heap}", "-Dlog4j2.configurationFile=" + str(LOG4J_CONFIG),
            f"-Dkafka.logs.dir={cfg.kafka_dir / 'logs'}", "-cp", f"{lib}/*", main_class, *args]


def _server_properties(cfg: Settings) -> str:
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{cfg.kafka_controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{cfg.kafka_port},"
                     f"CONTROLLER://127.0.0.1:{cfg.kafka_controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{cfg.kafka_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(cfg.kafka_dir / "data"),
        "num.partitions": "3",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
        "message.max.bytes": str(2 * 1024 * 1024),
        "log.retention.hours": "-1",
        # the simulator sends each event at its simulated time, which may lie ahead of this machine's clock; the
        # ingestors apply their own rule to occurred_at against the record timestamp (JX_MAX_FUTURE_SKEW_S)
        "log.message.timestamp.after.max.ms": str(2**63 - 1),
        "log.segment.bytes": str(256 * 1024 * 1024),
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    pid: int | None
    bootstrap_servers: str
    version: str

    def describe(self) -> str:
        state = f"up (pid {self.pid})" if self.running else "down"
        return f"Kafka {self.version} broker at {self.bootstrap_servers}: {state}"


def _pid_file(cfg: Settings) -> Path:
    return cfg.kafka_dir / "broker.pid"


def _read_pid(cfg: Settings) -> int | None:
    try:
        pid = int(_pid_file(cfg).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    return pid if b"kafka.Kafka" in cmdline else None


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _answers(cfg: Settings, timeout_s: float = 5.0) -> bool:
    """True when the broker serves metadata (not just an open port)."""
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError as ClientError

    try:
        admin = KafkaAdminClient(bootstrap_servers=cfg.bootstrap_servers,
                                 request_timeout_ms=int(timeout_s * 1000),
                                 client_id="jixiao-healthcheck")
    except ClientError:
        return False
    try:
        admin.list_topics()
        return True
    except ClientError:
        return False
    finally:
        admin.close()


def status(cfg: Settings | None = None) -> BrokerStatus:
    cfg = cfg or settings()
    pid = _read_pid(cfg)
    running = pid is not None and _port_open(cfg.kafka_port)
    return BrokerStatus(running, pid, cfg.bootstrap_servers, kafka_version())


def _format_storage(cfg: Settings, props_file: Path) -> None:
    if (cfg.kafka_dir / "data" / "meta.properties").exists():
        return
    cmd = java_command("kafka.tools.StorageTool",
                       ["format", "-t", CLUSTER_ID, "-c", str(props_file), "--ignore-formatted"], cfg)
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise KafkaError(f"formatting KRaft storage in {cfg.kafka_dir / 'data'} failed:\n"
                         + (result.stdout + result.stderr)[-3000:])


def start(cfg: Settings | None = None, timeout_s: float = 90.0) -> BrokerStatus:
    """Start the broker unless it already runs; return once it serves metadata."""
    cfg = cfg or settings()
    current = status(cfg)
    if current.running and _answers(cfg):
        return current
    if current.pid is None and _port_open(cfg.kafka_port):
        raise KafkaError(f"port {cfg.kafka_port} is taken by another process: stop it or set "
                         "JX_KAFKA_PORT / JX_KAFKA_CONTROLLER_PORT to free ports.")
    cfg.kafka_dir.mkdir(parents=True, exist_ok=True)
    props_file = cfg.kafka_dir / "server.properties"
    props_file.write_text(_server_properties(cfg), encoding="utf-8")
    _format_storage(cfg, props_file)
    cmd = java_command("kafka.Kafka", [str(props_file)], cfg, heap=cfg.kafka_heap)
    cmd[1:1] = [f"-Xms{cfg.kafka_heap}", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-Djava.awt.headless=true"]
    out = open(cfg.kafka_dir / "broker.out", "ab")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, cwd=cfg.kafka_dir)
    out.close()
    _pid_file(cfg).write_text(str(proc.pid))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise KafkaError(f"the broker exited with code {proc.returncode}; see "
                             f"{cfg.kafka_dir / 'broker.out'} and {cfg.kafka_dir / 'logs/server.log'}")
        if _port_open(cfg.kafka_port) and _answers(cfg):
            return status(cfg)
        time.sleep(0.5)
    stop(cfg)
    raise KafkaError(f"the broker did not answer within {timeout_s:.0f}s; see "
                     f"{cfg.kafka_dir / 'logs/server.log'}")


def stop(cfg: Settings | None = None, timeout_s: float = 60.0) -> BrokerStatus:
    """Stop the broker (SIGTERM, then SIGKILL after ``timeout_s``); leaves no process behind."""
    cfg = cfg or settings()
    pid = _read_pid(cfg)
    if pid is not None:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _read_pid(cfg) is not None and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.2)
        if _read_pid(cfg) is not None:
            os.killpg(pid, signal.SIGKILL)
            while _read_pid(cfg) is not None:
                _reap(pid)
                time.sleep(0.1)
    _pid_file(cfg).unlink(missing_ok=True)
    return status(cfg)


def _reap(pid: int) -> None:
    """Collect the exit status when the broker is our own child (else it lingers as a zombie)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
