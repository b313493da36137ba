"""Continuous mode: the ingestor as a child process and a micro-batch loop that rebuilds when the landing zone moves.

``jixiao run --follow`` starts ``jixiao ingest --follow`` as a child process (its own interpreter, so the build
in this one never starves the consumer of the GIL) and, every ``interval`` seconds, reads a cheap watermark of
the landing zone: the next uncommitted offset of every partition, from the commit markers' names alone. When it
moved since the last published build, the loop runs the build (:func:`jixiao.pipeline.build`: ledger, dbt,
closes, alerts, checks as the gate, publish, reports). Its dbt step rebuilds only what the new files touch: the
sources whose partitions moved and everything downstream of them (``source:landing.<source>+``; every staging
model depends on its own source's landing files and quarantine only), plus the ledger's models, whose source the
ledger step rewrites every build. The candidate is a copy of the published warehouse, so every other table stays
as published. A cycle is a full build when something else a build reads changed since the last publish
(:func:`build_inputs`: the platform's code, the dbt project and its seeds, the rules, the review decisions, the
models served), and so is the first cycle of a run unless the warehouse is still the one this mode last published
with the inputs of now: a restart with nothing but new landing files builds only the sources that moved.

The watermark is read *before* a build starts, so a batch committed while the build runs moves it again and the
next cycle picks it up: nothing is ever left out. A build that fails (a blocking check, a dbt error) is reported
and the last publish stays; the loop retries when the landing zone moves again. The watermark of the last
published build is kept in ``$JX_HOME/continuous/published.json``, with that build's inputs and the identity of the
warehouse file it published (a restart does not rebuild what is already published), and every cycle is appended to
``$JX_HOME/continuous/cycles.jsonl``.

Stopping (:meth:`Follower.stop`, from SIGTERM/SIGINT): no new build starts, the ingestor gets SIGTERM (it lands
and commits its open batches and leaves the group), a build in progress finishes, then :meth:`Follower.run`
returns. The ingestor runs in its own session, so a Ctrl-C on the terminal reaches only this process, which
forwards it; it gets SIGTERM too when this process dies.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console

from jixiao import contracts
from jixiao.pipeline import BUILD_STEPS, CandidateTaken, ChecksFailed, Progress, build
from jixiao.runtime.config import REPO_ROOT, Settings
from jixiao.runtime.files import tree_digest
from jixiao.runtime.processes import die_with_parent

Watermark = dict[str, int]
"""``"<topic>:<partition>"`` → the partition's first uncommitted offset in the landing zone."""


def watermark(cfg: Settings) -> Watermark:
    """Where the landing zone's commits stand, every partition (cheap: folder listings, no file is read)."""
    from jixiao.ingestors.landing import LandingZone

    zone = LandingZone(cfg)
    offsets = {f"{topic}:{partition}": zone.next_offset(topic, partition) for topic, partition in zone.partitions()}
    return {key: offset for key, offset in offsets.items() if offset}  # a partition is listed once it is assigned


def committed_since(before: Watermark, after: Watermark) -> dict[str, int]:
    """Records committed between two watermarks, per source (landed, dead-lettered and duplicate alike)."""
    moved: dict[str, int] = {}
    for key, offset in after.items():
        delta = offset - before.get(key, 0)
        if delta > 0:
            source = contracts.source_of_topic(key.rpartition(":")[0])
            moved[source] = moved.get(source, 0) + delta
    return moved


def build_inputs(cfg: Settings) -> dict[str, str]:
    """What a build reads besides the landing zone, each as a digest: the platform's code, the dbt project (models,
    macros, seeds), the rules, the review decision log and the models served. A cycle selects by source only while
    they are unchanged since the last publish."""
    from jixiao.expectations.review import decision_log
    from jixiao.expectations.rules import dbt_vars
    from jixiao.warehouse.dbt import project_digest

    # the platform's Python code: a new release makes the next cycle a full build (the instance's home and cache,
    # where dbt writes compiled models, are not code)
    code = tree_digest(REPO_ROOT, (".py",), CODE_SKIPPED, [cfg.home, cfg.cache])
    inputs = {"code": code, "project": project_digest(), "rules": dbt_vars(), "decisions": _stat(decision_log(cfg))}
    return {**{name: json.dumps(value, sort_keys=True, default=str) for name, value in inputs.items()},
            "models": served_models(cfg)}


CODE_SKIPPED = ("tests", "benchmarks", "dbt_project", "var", "node_modules", "__pycache__")
"""Folders of the checkout that are not the platform's code (the dbt project has its own digest)."""


def served_models(cfg: Settings) -> str:
    """Which model artefacts are current (their ``current.json`` pointers), as a digest."""
    from jixiao.models.artefacts import models_dir

    root = models_dir(cfg)
    return json.dumps({str(p.relative_to(root)): _stat(p) for p in sorted(root.glob("*/current.json"))})


def _stat(path: Path) -> list[int] | None:
    return [path.stat().st_size, path.stat().st_mtime_ns] if path.exists() else None


def _file_id(path: Path) -> list[int] | None:
    """A file's identity (inode, size, modification time): every publish renames a new file over the warehouse."""
    if not path.exists():
        return None
    stat = path.stat()
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def selection(changed: dict[str, int]) -> list[str]:
    """The dbt selectors of a cycle whose landing zone moved in ``changed`` sources (see the module docstring)."""
    return [*(f"source:landing.{source}+" for source in sorted(changed)), "source:ledger.verification_result+"]


@dataclass
class Cycle:
    """One build attempt of the loop."""

    number: int
    changed: dict[str, int]
    started_at: float  # wall-clock seconds (epoch)
    seconds: float = 0.0
    published: bool = False
    published_at: float | None = None  # when the publish step ended: the new data is visible from then on
    reason: str | None = None  # why the build failed (before the publish: nothing was published)
    lock_held: bool = False  # another build held the instance's build lock: retried at the next interval
    steps: dict[str, float] = field(default_factory=dict)
    select: list[str] | None = None  # the dbt selectors of the build (None: a full build)

    def describe(self) -> str:
        moved = sum(self.changed.values())
        sources = ", ".join(f"{s} {n:,}" for s, n in sorted(self.changed.items()))
        what = f"+{moved:,} records committed ({sources})" if moved else "landing zone unchanged"
        timing = " · ".join(f"{name} {s:.1f}" for name, s in self.steps.items())
        outcome = "published" if self.published else "NOT published"
        outcome += f": {self.reason}" if self.reason else ""
        kind = "full build" if self.select is None else "build of the changed sources"
        return f"cycle {self.number} · {what} · {kind} {self.seconds:.1f} s [{timing}] · {outcome}"


@dataclass
class RunSummary:
    cycles: list[Cycle] = field(default_factory=list)
    ingestor_exit: int | None = None
    stopped_by_signal: bool = False
    problem: str | None = None  # why the run ended early (the ingestor failed)

    @property
    def published(self) -> int:
        return sum(c.published for c in self.cycles)

    def describe(self) -> str:
        failed = len(self.cycles) - self.published
        why = " after a stop signal" if self.stopped_by_signal else ""
        text = (f"jixiao run ended{why}: builds {len(self.cycles)}, published {self.published}, not published "
                f"{failed}; ingestor exit code {self.ingestor_exit}")
        return f"{text}; {self.problem}" if self.problem else text


_PUBLISH = next(step.title for step in BUILD_STEPS if step.name == "publish")
_NAMES = {step.title: step.name for step in BUILD_STEPS}


class _CycleProgress(Progress):
    """Build progress that also records the wall-clock time each step ended (when the publish became visible)."""

    def __init__(self, console: Console):
        super().__init__(console)
        self.ended_at: dict[str, float] = {}

    @contextmanager
    def step(self, title: str):
        with super().step(title):
            yield
        self.ended_at[title] = time.time()


class Follower:
    """The ingestor child process and the build loop of one platform instance."""

    def __init__(self, cfg: Settings, sources: list[str], group: str = "jx-ingest", interval: float = 5.0,
                 batch_seconds: float = 5.0, console: Console | None = None, steps: bool = False):
        self.cfg = cfg
        self.sources = sources
        self.group = group
        self.interval = interval
        self.batch_seconds = batch_seconds
        self.console = console or Console()
        self.steps = steps
        self.stopping = False
        self.ingestor: subprocess.Popen | None = None
        self.state_dir = cfg.home / "continuous"
        self._published_inputs: dict[str, str] | None = None  # build_inputs() at this mode's last publish

    # -- stopping (safe from a signal handler) --------------------------------------------------
    def stop(self) -> None:
        """Start no new build; have the ingestor land what it holds and leave the group."""
        self.stopping = True
        if self.ingestor is not None and self.ingestor.poll() is None:
            self.ingestor.send_signal(signal.SIGTERM)

    # -- the loop --------------------------------------------------------------------------------
    def run(self, follow: bool = True) -> RunSummary:
        """With ``follow``: ingest and rebuild on every landing change until stopped. Without: ingest until caught
        up, then build once."""
        summary = RunSummary()
        if not self.steps:
            os.environ.setdefault("DBT_QUIET", "true")  # dbt's own lines only with --steps; errors still show
        published = self._resume()
        failed: Watermark | None = None
        self.ingestor = self._start_ingestor(follow)
        try:
            if self.stopping:  # a signal came while the child started
                self.stop()
            while follow and not self.stopping:
                if self.ingestor.poll() is not None:
                    summary.problem = "the ingestor exited on its own; the landing zone keeps what it committed, " \
                                      "run `jixiao run` again"
                    break
                current = watermark(self.cfg)
                if current and current != published and current != failed:
                    cycle = self._cycle(len(summary.cycles) + 1, published or {}, current)
                    summary.cycles.append(cycle)
                    if cycle.published:
                        published = current
                    elif not cycle.lock_held:
                        failed = current
                self._sleep(self.interval)
            if not follow:
                self.ingestor.wait()
                if self.ingestor.returncode != 0:
                    summary.problem = "the ingestor failed; nothing was built"
                elif not self.stopping:
                    summary.cycles.append(self._cycle(1, published or {}, watermark(self.cfg)))
        finally:
            summary.stopped_by_signal = self.stopping
            summary.ingestor_exit = self._stop_ingestor()
        return summary

    def _cycle(self, number: int, before: Watermark, current: Watermark) -> Cycle:
        """One build; the cycle as reported (a failed build is reported, never raised)."""
        from jixiao.warehouse import BuildError, BuildInProgress

        cycle = Cycle(number, committed_since(before, current), time.time())
        inputs = build_inputs(self.cfg)
        if inputs == self._published_inputs and cycle.changed:
            cycle.select = selection(cycle.changed)
        progress = _CycleProgress(self.console if self.steps else Console(quiet=True))
        started = time.monotonic()
        try:
            build(self.cfg, progress, select=cycle.select)
        except BuildInProgress as error:
            cycle.lock_held = True
            cycle.reason = f"{error}; retried at the next interval"
        except (ChecksFailed, BuildError, CandidateTaken) as error:
            cycle.reason = f"{type(error).__name__}: {error}"
        except Exception as error:  # a service loop outlives one bad build; the next change retries
            cycle.reason = f"unexpected {type(error).__name__}: {error}"
        cycle.published_at = progress.ended_at.get(_PUBLISH)  # a step after the publish may still have failed
        cycle.published = cycle.published_at is not None
        if cycle.published:
            # the models as the build left them (a first build trains them); every other input as it was read
            # before the build, so a decision or a project change made meanwhile makes the next cycle a full build
            self._published_inputs = {**inputs, "models": served_models(self.cfg)}
            self._save_published(current, self._published_inputs)
        cycle.seconds = time.monotonic() - started
        cycle.steps = {_NAMES[title]: s for title, s in progress.seconds.items()}
        self._log(cycle)
        self.console.print(cycle.describe(), markup=False, highlight=False, soft_wrap=True)
        return cycle

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    # -- the ingestor child ----------------------------------------------------------------------
    def _start_ingestor(self, follow: bool) -> subprocess.Popen:
        command = [sys.executable, "-m", "jixiao.cli", "ingest", "--sources", ",".join(self.sources),
                   "--group", self.group, "--no-progress", "--batch-seconds", str(self.batch_seconds),
                   "--follow" if follow else "--until-caught-up"]
        env = {**os.environ, "JX_HOME": str(self.cfg.home), "JX_KAFKA_PORT": str(self.cfg.kafka_port)}
        parent = os.getpid()
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True,
                                preexec_fn=lambda: die_with_parent(parent, signal.SIGTERM))

    def _stop_ingestor(self) -> int | None:
        """SIGTERM the ingestor if it still runs and wait until it has landed its batches; its exit code (0 also
        when it was stopped before it installed its handler: it held nothing then)."""
        if self.ingestor is None:
            return None
        if self.ingestor.poll() is None:
            self.ingestor.send_signal(signal.SIGTERM)
        code = self.ingestor.wait()
        return 0 if code == -signal.SIGTERM and self.stopping else code

    # -- state -----------------------------------------------------------------------------------
    @property
    def _published_file(self) -> Path:
        return self.state_dir / "published.json"

    def _resume(self) -> Watermark | None:
        """The watermark of the last build this mode published, while that warehouse is still there; that build's
        inputs become the ones the next cycle compares with while the warehouse is still the very file it published
        (after any other publish, the first cycle is a full build)."""
        self._published_inputs = None
        if not self.cfg.warehouse_path.exists() or not self._published_file.exists():
            return None
        state = json.loads(self._published_file.read_text(encoding="utf-8"))
        if "watermark" not in state:  # written before the inputs were kept: the watermark alone
            return state
        if state.get("warehouse") == _file_id(self.cfg.warehouse_path):
            self._published_inputs = state.get("inputs")
        return state["watermark"]

    def _save_published(self, mark: Watermark, inputs: dict[str, str]) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        state = {"watermark": mark, "inputs": inputs, "warehouse": _file_id(self.cfg.warehouse_path)}
        tmp = self._published_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self._published_file)

    def _log(self, cycle: Cycle) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / "cycles.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(asdict(cycle), ensure_ascii=False) + "\n")
