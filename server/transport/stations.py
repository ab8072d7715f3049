"""The stations whose sockets this node holds (cs.connection is the shared truth across nodes)."""
from __future__ import annotations

from typing import Protocol


class Connected(Protocol):
    identity: str

    async def close(self, code: int, reason: str) -> None: ...


class Stations:
    def __init__(self) -> None:
        self._by_identity: dict[str, Connected] = {}

    def add(self, session: Connected) -> Connected | None:
        """Register a new socket; returns the one it replaces, which the caller closes."""
        previous = self._by_identity.get(session.identity)
        self._by_identity[session.identity] = session
        return previous

    def remove(self, session: Connected) -> bool:
        """Forget a closed socket; False when a newer socket already took its place."""
        if self._by_identity.get(session.identity) is session:
            del self._by_identity[session.identity]
            return True
        return False

    def get(self, identity: str) -> Connected | None:
        return self._by_identity.get(identity)

    def __len__(self) -> int:
        return len(self._by_identity)

    def all(self) -> list[Connected]:
        return list(self._by_identity.values())
