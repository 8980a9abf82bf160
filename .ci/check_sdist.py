"""Fail unless an sdist holds every file git tracks (the sdist is the whole project).

python .ci/check_sdist.py dist/ser_pooling_bench-*.tar.gz
"""

import subprocess
import sys
import tarfile

NOT_SHIPPED = {".gitignore"}

sdist = sys.argv[1]
tracked = set(subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split())
shipped = {name.split("/", 1)[1] for name in tarfile.open(sdist).getnames() if "/" in name}
missing = sorted(tracked - shipped - NOT_SHIPPED)
if missing:
    sys.exit(f"error: {sdist} lacks {len(missing)} tracked files, e.g. {missing[:10]}; add them to MANIFEST.in")
print(f"{sdist}: all {len(tracked) - len(NOT_SHIPPED)} tracked files")
