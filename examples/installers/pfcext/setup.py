# pfcext: a tiny C extension, served by perfanity's local index as an sdist so that an
# installer's time to build (and cache) a wheel shows. Python 2.7 and 3.x.
# Its version is the VERSION file's, shipped in the sdist: scripts/setup.d/55-installers.sh
# writes it to build two versions (the incremental step moves between them).
import os
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "VERSION")) as f:
    VERSION = f.read().strip()

setup(
    name="pfcext",
    version=VERSION,
    description="perfanity's C extension fixture",
    ext_modules=[Extension("pfcext", ["pfcext.c"])],
)
