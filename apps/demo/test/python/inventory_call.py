"""A non-Node client of the edge demo's gateway: Debian's python3-grpcio calls
/demo.Inventory/Reserve (JSON messages) once per reference and prints one JSON object each: the
status code, its details, and the x-request-id of the response headers (a success) or trailers.

Usage: inventory_call.py TARGET REFERENCE...
"""
import json
import sys

import grpc


def main():
    target, references = sys.argv[1], sys.argv[2:]
    with grpc.insecure_channel(target) as channel:
        reserve = channel.unary_unary("/demo.Inventory/Reserve")
        for reference in references:
            request = json.dumps({"reference": reference, "quantity": 1}).encode()
            out = {"reference": reference}
            try:
                _, call = reserve.with_call(request, timeout=5)
                out["code"] = 0
                out["id"] = dict(call.initial_metadata() or ()).get("x-request-id")
            except grpc.RpcError as error:
                out["code"] = error.code().value[0]
                out["details"] = error.details()
                out["id"] = dict(error.trailing_metadata() or ()).get("x-request-id")
            print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
