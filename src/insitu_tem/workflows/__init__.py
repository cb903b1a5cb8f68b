"""Qt-free pipelines that run analyses on a session and store their results in it."""
