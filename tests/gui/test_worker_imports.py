"""Opening a project that tracks the front ahead forks its worker first, after the forker has
imported what every worker uses (scipy.signal, stats, interpolate, integrate), so the front worker
does not import them again on its own."""

from insitu_tem.gui.controllers.window_actions import SCAN_WORKER, SHARED_SCIPY


def test_the_first_worker_is_forked_with_what_every_worker_imports(
    window, sample_project, monkeypatch
):
    started = []
    for name in ("child", "movie_child"):
        worker = getattr(window.tasks, name)
        monkeypatch.setattr(worker, "start", lambda *modules, n=name: started.append((n, modules)))
        monkeypatch.setattr(worker, "ahead", lambda *call, n=name: started.append((n, "ahead")))
    window.files._expect_jobs(sample_project)
    assert [name for name, _ in started] == ["movie_child", "movie_child", "child", "child"]
    first = started[0][1]
    assert first[0] == "insitu_tem.workflows.front" and set(SHARED_SCIPY) <= set(first)
    assert set(SHARED_SCIPY) <= set(SCAN_WORKER)
