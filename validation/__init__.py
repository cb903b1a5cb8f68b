"""Independent validation corpus: generators that share no code or assumptions with the methods,
run through the public analysis functions, summarised as error distributions and uncertainty
coverage (``python -m validation``, ``make validate``).

Each family module (``validation/<family>.py``) defines ``run(*, fast: bool) -> list[Measurement]``.
"""
