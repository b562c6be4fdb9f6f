"""The sandbox probe: what a trivial run shows, and its cache (issue 14 item 9)."""

from __future__ import annotations

from assay.sandbox import FakeCodeRunner, RunnerProbe, SandboxError, scripted_result
from assay.sandbox.fake import RunRequest, RunStep


class Switch:
    def __init__(self) -> None:
        self.broken = True

    def __call__(self, request: RunRequest) -> RunStep:
        if self.broken:
            raise SandboxError("bwrap not found")
        return scripted_result("42\n")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_an_unavailable_status_is_kept_then_probed_again() -> None:
    switch, clock = Switch(), Clock()
    probe = RunnerProbe(FakeCodeRunner(switch), recheck_after_s=60, clock=clock)
    first = await probe.status()
    assert not first.available and first.reason == "bwrap not found"
    assert first.fix == "apt-get install bubblewrap"
    switch.broken = False
    assert not (await probe.status()).available and probe.probes == 1  # cached
    clock.now = 61
    assert (await probe.status()).available and probe.probes == 2


async def test_an_available_status_is_kept_until_invalidated_or_refreshed() -> None:
    switch = Switch()
    switch.broken = False
    probe = RunnerProbe(FakeCodeRunner(switch))
    assert (await probe.status()).available
    assert (await probe.status()).available and probe.probes == 1
    switch.broken = True
    probe.invalidate()
    assert not (await probe.status()).available and probe.probes == 2
    switch.broken = False
    assert (await probe.refresh()).available and probe.probes == 3


async def test_a_wrong_answer_is_unavailable() -> None:
    status = await RunnerProbe(FakeCodeRunner(["41\n"])).status()
    assert not status.available and "ok" in (status.reason or "")
