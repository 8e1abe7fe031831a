"""The site's URLs plus a view that fails, for the tests of error answers."""

from django.urls import path

from tongyun.urls import urlpatterns


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("fail/", fail), *urlpatterns]
