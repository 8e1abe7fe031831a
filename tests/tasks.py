"""Helpers of the tests of background work (the conftest's queue fixture)."""


def run(result):
    """Run a queued task (a TaskResult of the dummy backend) as the worker does."""
    return result.task.call(*result.args, **result.kwargs)
