"""Runs every benchmark in bench/ (tiny sizes with --smoke). Filled in by the benchmarks work."""

import argparse
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.parse_args()
    print("no benchmarks yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
