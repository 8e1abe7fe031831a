"""Storages that fail as a full or a read-only disk does, for fault tests."""

import errno

from django.core.files.base import File

from tongyun.lib.storage import PrivateStorage


class HalfWritten(File):
    """A file whose second half cannot be written: the disk filled up."""

    def chunks(self, chunk_size=None):
        data = self.file.read()
        yield data[: len(data) // 2]
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskStorage(PrivateStorage):
    """Private storage on a disk that fills up while a file is written: the
    first half lands in the folder, as on a real disk, then ENOSPC."""

    def _save(self, name, content):
        content.seek(0)
        return super()._save(name, HalfWritten(content.file, name=content.name))


class ReadOnlyStorage(PrivateStorage):
    """Private storage on a folder it may not write (EACCES)."""

    def _save(self, name, content):
        raise PermissionError(errno.EACCES, "Permission denied", self.path(name))


class UnreadableStorage(PrivateStorage):
    """Private storage on a disk that cannot be read (EIO)."""

    def _open(self, name, mode="rb"):
        raise OSError(errno.EIO, "Input/output error", self.path(name))
