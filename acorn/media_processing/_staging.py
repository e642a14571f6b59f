"""All-or-nothing output: renditions appear in out_dir only when every one of them is ready.

Work happens in a private scratch folder inside out_dir (same filesystem, so the final move is a
rename). If anything fails, the scratch folder and anything already moved are removed, and so
is out_dir itself if this call created it, so the caller never finds half a set of files.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


class Stage:
    def __init__(self, out_dir: Path, files: Mapping[str, str]) -> None:
        self.out_dir = out_dir
        self.files = dict(files)  # rendition name -> file name, e.g. "thumb" -> "thumb.webp"
        self._created_out_dir = False
        self._published: list[Path] = []
        self.scratch: Path | None = None

    def open(self) -> None:
        clashes = [name for name in self.files.values() if (self.out_dir / name).exists()]
        if clashes:
            # Refuse rather than overwrite: the caller's files are not ours to replace or delete.
            raise FileExistsError(f"{self.out_dir} already holds {', '.join(clashes)}")
        if not self.out_dir.exists():
            self.out_dir.mkdir(parents=True)
            self._created_out_dir = True
        # mkdtemp makes the folder 0700: nobody else on the machine can peek at work in progress.
        self.scratch = Path(tempfile.mkdtemp(prefix=".media-", dir=self.out_dir))

    def path(self, rendition: str) -> Path:
        """Where to write a rendition while working."""
        return self.work_path(self.files[rendition])

    def work_path(self, file_name: str) -> Path:
        """A scratch file (intermediate frames and the like); never published."""
        assert self.scratch is not None
        return self.scratch / file_name

    def publish(self) -> dict[str, Path]:
        final = {}
        for rendition, file_name in self.files.items():
            target = self.out_dir / file_name
            os.replace(self.work_path(file_name), target)
            self._published.append(target)
            final[rendition] = target
        return final

    def discard(self) -> None:
        for path in self._published:
            path.unlink(missing_ok=True)
        self.remove_scratch()
        if self._created_out_dir:
            try:
                self.out_dir.rmdir()
            except OSError:
                pass  # someone else put something there meanwhile; leave their files alone

    def remove_scratch(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None


@contextmanager
def staged_output(out_dir: str | os.PathLike[str], files: Mapping[str, str]) -> Iterator[Stage]:
    stage = Stage(Path(out_dir), files)
    try:
        stage.open()
        yield stage
    except BaseException:
        stage.discard()
        raise
    stage.remove_scratch()
