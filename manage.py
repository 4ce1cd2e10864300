#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesops.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A bad setting is an operator's mistake, not a crash: one line that names it.
        sys.stderr.write(f"salesops: configuration error: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
