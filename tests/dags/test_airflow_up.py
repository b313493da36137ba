"""``jixiao airflow up``: Airflow standalone on SQLite comes up with the project's DAGs, answers its API with the
login it prints, and stops cleanly (no process of it left) on SIGTERM."""
from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from jixiao.orchestration import DAG_IDS, POOL

PORT = os.environ.get("JX_TEST_AIRFLOW_PORT", "47080")


def lines_of(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return lines


def read_until(lines: queue.Queue, pattern: str, timeout_s: float) -> tuple[re.Match, list[str]]:
    seen, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if match := re.search(pattern, line):
            return match, seen
    raise AssertionError(f"no line matching {pattern!r} within {timeout_s:.0f} s:\n{''.join(seen)[-3000:]}")


def api(url: str, token: str | None = None, body: dict | None = None) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None, method="POST" if body
                                     else "GET", headers={"Content-Type": "application/json",
                                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def test_airflow_up_serves_the_dags_on_its_api_and_stops_cleanly(jx_home):
    jixiao = Path(sys.executable).with_name("jixiao")
    process = subprocess.Popen([str(jixiao), "airflow", "up"], env={**os.environ, "JX_AIRFLOW_PORT": PORT,
                                                                      "COLUMNS": "200"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = lines_of(process)
    try:
        up, _ = read_until(lines, r"Airflow is up \(pid (\d+)\): (http://\S+)", 400)
        login, _ = read_until(lines, r"login: admin / (\S+)", 5)
        standalone, url = int(up.group(1)), up.group(2)
        assert url == f"http://127.0.0.1:{PORT}"
        token = api(f"{url}/auth/token", body={"username": "admin", "password": login.group(1)})["access_token"]
        deadline, dag_ids = time.monotonic() + 240, set()
        while time.monotonic() < deadline and not set(DAG_IDS) <= dag_ids:
            dag_ids = {d["dag_id"] for d in api(f"{url}/api/v2/dags", token)["dags"]}
            time.sleep(3)
        assert set(DAG_IDS) <= dag_ids
        assert api(f"{url}/api/v2/pools/{POOL}", token)["slots"] == 1
        assert group_members(standalone), "standalone runs its components in its own process group"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
    read_until(lines, r"Airflow stopped", 5)
    assert process.returncode == 0
    time.sleep(1)
    assert group_members(standalone) == [], "a process of Airflow standalone outlived `jixiao airflow up`"
