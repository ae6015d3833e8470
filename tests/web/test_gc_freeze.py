"""The service moves what it builds at start-up to the collector's permanent generation (full
collections then skip the ~270k long-lived objects: latency spikes under load, issue 13), and
gives them back when it stops."""

from __future__ import annotations

import gc

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_start_up_objects_are_frozen_while_the_app_runs(app: FastAPI) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    with TestClient(app) as client:
        frozen = gc.get_freeze_count()
        assert frozen > 0, "nothing was frozen at start-up"
        assert client.get("/login").status_code == 200  # the app still serves
    assert gc.get_freeze_count() < frozen, "the app's objects stay frozen after it stopped"
