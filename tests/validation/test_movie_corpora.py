"""The movie family's corpora: the full run reads the tuned corpus and seven held-out ones, each
drawn from its own seeds, and the cache used for tracker experiments holds the same ones."""

from __future__ import annotations

from validation import movie
from validation.movie_cache import CORPORA


def _full_run_corpora(monkeypatch) -> list[tuple[int, int, int, str]]:
    calls = []

    def corpus(first_seed, movies, frames, label, **options):
        calls.append((first_seed, movies, frames, label))
        return []

    monkeypatch.setattr(movie, "corpus", corpus)
    movie.run(fast=False)
    return calls


def test_the_full_run_adds_a_seventh_held_out_corpus_of_the_fifths_size(monkeypatch):
    calls = _full_run_corpora(monkeypatch)
    labels = [label for *_, label in calls]
    assert labels[-2:] == [" — sixth held-out", " — seventh held-out"] and len(labels) == 8
    fourth, fifth, sixth, seventh = calls[-4:]
    assert fifth[0] == fourth[0] + 1000 == 6000
    assert seventh[0] == sixth[0] + 1000 == fifth[0] + 2000 == 8000
    assert seventh[1:3] == sixth[1:3] == fifth[1:3] == fourth[1:3] == (12, 60)


def test_no_two_corpora_share_a_seed_and_the_cache_holds_every_one(monkeypatch):
    calls = _full_run_corpora(monkeypatch)
    seeds = [seed for first, movies, _, _ in calls for seed in range(first, first + movies)]
    assert len(seeds) == len(set(seeds)) == 120
    assert sorted((first, movies) for first, movies, _, _ in calls) == sorted(CORPORA.values())
