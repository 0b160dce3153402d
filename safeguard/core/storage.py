"""Evidence on local disk, written atomically: a file is either wholly there under its name or not at all.

Django's FileSystemStorage writes straight into the final name, so a full disk or a killed process leaves a
truncated file behind that looks like a stored one. Here the bytes go to a hidden temporary file in the same
folder, are flushed to disk (fsync: "accepted" must survive a power cut), and only then linked into place.
"""

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage


def copy_chunks(content, out) -> None:
    for chunk in content.chunks():
        out.write(chunk)


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        if self.directory_permissions_mode is not None:
            os.chmod(directory, self.directory_permissions_mode)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                copy_chunks(content, out)
                out.flush()
                os.fsync(out.fileno())
            while True:
                try:
                    os.link(partial, full_path)  # fails rather than overwrite a file of the same name
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return str(name).replace("\\", "/")
