"""The benchmarks' shared harness, and the tests' way to start a server process.

``processes`` (standard library only: the tests import it through ``sys.path``) starts and stops
``precursor serve`` and other child processes; ``children`` adds what a measured server needs (readiness
timed from ``Popen`` over HTTP, its CPU and memory, profiling windows); ``peers`` and ``games`` are the
load generator's websocket clients and the REST set-up of games; ``traffic`` drives and reports chat
load; ``stats`` and ``cpu`` are the figures; ``profiles`` reads what ``bench/profiled_serve.py`` wrote.

Nothing is imported here, so that a light user (the bare baseline server, whose start-up is timed, or
the tests) pays only for the module it asks for.
"""
