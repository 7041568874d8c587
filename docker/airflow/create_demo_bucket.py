"""Create the demo bucket on fake-gcs-server (airflow-init runs this when STORAGE_EMULATOR_HOST
is set): the emulator starts empty, and the demo transport writes to ``oracle-etl-demo``.

Usage: python create_demo_bucket.py BUCKET
"""

from __future__ import annotations

import sys
import time

from google.api_core import exceptions
from google.cloud import storage

WAIT_S = 60.0


def main(bucket: str) -> None:
    # the emulator may still be starting: retry for a while
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            client = storage.Client(project="oracle-etl-demo")
            if client.lookup_bucket(bucket) is None:
                client.create_bucket(bucket)
                print(f"created bucket {bucket}")
            return
        except (exceptions.GoogleAPIError, OSError) as error:
            if time.monotonic() > deadline:
                raise SystemExit(f"cannot create bucket {bucket}: {error}") from error
            time.sleep(2)


if __name__ == "__main__":
    main(sys.argv[1])
