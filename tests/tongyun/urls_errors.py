"""The site's URLs plus two views that fail, for the tests of error answers."""

from django.db import OperationalError
from django.urls import path

from tongyun.urls import handler500, urlpatterns


def fail(request):
    raise RuntimeError("a bug")


def locked(request):
    raise OperationalError("database is locked")


urlpatterns = [path("fail/", fail), path("locked/", locked), *urlpatterns]
handler500 = handler500
