"""The demo's sales staff (`catalog.STAFF`) as the planners ask about them: who sells for which
team, who leads it, who manages, what they are called."""

from __future__ import annotations

from guanxi.demo import catalog as C


class Staff:
    def __init__(self) -> None:
        self.kams_of_team: dict[int, list[str]] = {0: [], 1: [], 2: []}
        self.lead_of_team: dict[int, str] = {}
        for username, _f, _g, role, team, _p in C.STAFF:
            if team is None:
                continue
            if role == "team_lead":
                self.lead_of_team[team] = username
            else:
                self.kams_of_team[team].append(username)
        self.role_of: dict[str, str] = {u: role for u, _f, _g, role, _t, _p in C.STAFF}
        self.name_of: dict[str, str] = {u: f + g for u, f, g, _r, _t, _p in C.STAFF}
        self.managers: list[str] = [u for u, _f, _g, role, _t, _p in C.STAFF if role == "manager"]
        self.usernames: list[str] = [u for u, *_rest in C.STAFF]  # in the catalogue's order
