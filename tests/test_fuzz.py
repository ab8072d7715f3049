"""The fuzz of bench/fuzz.py, bounded to ~2,000 frames against the test server: mutated and valid
frames of 1.6 and 2.0.1 stations, and bystanders sending only valid ones. No traceback or ERROR in the
server's log, no socket dropped, every station still answering, every bystander frame a CALLRESULT,
and every frame an IN row in the message log."""
from __future__ import annotations

import importlib.util
import logging
import sys

from conftest import ROOT, wait_for

_spec = importlib.util.spec_from_file_location("fuzz", ROOT / "bench" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz"] = fuzz  # dataclasses look their module up there
_spec.loader.exec_module(fuzz)


async def test_fuzz_2000_frames(server, db, caplog):
    caplog.set_level(logging.INFO)
    stats, roles = await fuzz.run(server.url, frames=2000, seed=13, stations=6, bystanders=2,
                                  timeout=15)
    assert stats.frames >= 2000
    assert stats.reconnects == 0 and stats.broken == [] and stats.bystander_failures == []
    assert sum(stats.mutations.values()) >= 800  # every other frame of a fuzzer is generated
    bad = [r.getMessage()[:300] for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == []

    expected = {identity: stats.sent[identity] for _, identity, _, _ in roles}

    async def logged():
        rows = await db.sql("select identity || ' ' || count(*) from cs.message_log "
                            "where direction = 'in' and action is distinct from 'Connect' "
                            "and action is distinct from 'Disconnect' group by identity")
        found = {line.split(" ")[0]: int(line.split(" ")[1]) for line in rows.split("\n") if line}
        return found == expected or None
    await wait_for(logged, timeout=20)
