"""The server benchmarks of ``bench/bench_server.py``, one module a family: ``fanout`` (chat to a classroom
of games), ``turn`` (the round trip of a turn's results), ``startup`` (start-up time and memory),
``two_instances`` (two servers on one Redis). Each measures the bare baseline in the same run."""
