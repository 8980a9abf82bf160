"""The Dask LocalCluster of ``--executor dask`` accepts only TLS clients holding its own throw-away
credentials, and serves no HTTP when there is no dashboard."""

import socket

import pytest
from distributed import Client
from distributed.security import Security

from bench.runner.executors import DaskExecutor


def _square(x):
    return x * x


@pytest.fixture(scope="module")
def executor():
    executor = DaskExecutor(1)
    yield executor
    executor.close()


def test_cluster_speaks_tls_and_runs_jobs(executor):
    assert executor.cluster.scheduler_address.startswith("tls://127.0.0.1:")
    assert executor.client.submit(_square, 7).result() == 49


@pytest.mark.parametrize("how", ["plain tcp", "another certificate"])
def test_a_stranger_cannot_connect(executor, how):
    address = executor.cluster.scheduler_address
    with pytest.raises((OSError, TimeoutError)):
        if how == "plain tcp":
            Client(address.replace("tls://", "tcp://"), timeout="3s")
        else:
            Client(address, security=Security.temporary(), timeout="3s")


def _http_port(dask_worker):
    return dask_worker.http_server.port


def test_no_http_server_listens(executor):
    scheduler = executor.cluster.scheduler
    assert "dashboard" not in scheduler.services
    ports = [scheduler.http_server.port, *executor.client.run(_http_port).values()]  # scheduler and workers
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
