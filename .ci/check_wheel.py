"""Fail unless a wheel holds only the project's own import packages (and its metadata).

python .ci/check_wheel.py dist/ser_pooling_bench-*.whl
"""

import sys
import zipfile

OWN = {"bench", "poolers", "backbones"}

wheel = sys.argv[1]
tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
stray = sorted(t for t in tops if t not in OWN and not t.endswith(".dist-info"))
if stray or not OWN <= tops:
    sys.exit(
        f"error: {wheel} should hold exactly {sorted(OWN)} and its .dist-info; "
        f"found stray {stray}, missing {sorted(OWN - tops)}"
    )
print(f"{wheel}: {sorted(tops)}")
