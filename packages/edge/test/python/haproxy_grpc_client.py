"""gRPC through the gateway with Debian's python3-grpcio: calls orders.v1.Orders (JSON messages)
and an unrouted service over TLS or h2c, and decodes grpc-status-details-bin with python3-protobuf.

Usage: haproxy_grpc_client.py GENERATED_DIR NAME:PORT[:CA_FILE]:CALL[,CALL...] ...
Prints one JSON object per call.
"""
import json
import sys

import grpc
from rich_status import decode, load


def channel_of(port, ca_file):
    target = "127.0.0.1:" + port
    if not ca_file:
        return grpc.insecure_channel(target)
    with open(ca_file, "rb") as f:
        return grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=f.read()))


PATHS = {
    "get": "/orders.v1.Orders/Get",
    "fail": "/orders.v1.Orders/Fail",
    "slow": "/orders.v1.Orders/Slow",
    "unknown": "/billing.v1.Invoices/Get",
}


def main():
    gen_dir, targets = sys.argv[1], sys.argv[2:]
    status_pb2 = load(gen_dir, "status_pb2")
    details_pb2 = load(gen_dir, "error_details_pb2")
    for target in targets:
        parts = target.split(":")
        name, port, ca_file, calls = parts[0], parts[1], parts[2], parts[3].split(",")
        channel = channel_of(port, ca_file)
        for call in calls:
            out = {"target": name, "call": call}
            method = channel.unary_unary(PATHS[call])
            try:
                response, outcome = method.with_call(b"{}", timeout=5)
                out["code"] = 0
                out["value"] = json.loads(response)
                out["headers"] = dict(outcome.initial_metadata() or ())
            except grpc.RpcError as error:
                out["code"] = error.code().value[0]
                out["details"] = error.details()
                out["headers"] = dict(error.initial_metadata() or ())
                trailers = dict(error.trailing_metadata() or ())
                out["trailer_keys"] = sorted(trailers.keys())
                out["request_id"] = trailers.get("x-request-id")
                blob = trailers.get("grpc-status-details-bin")
                if blob is not None:
                    decode(blob, status_pb2, details_pb2, out)
            out["headers"] = {k: v for k, v in out["headers"].items() if isinstance(v, str)}
            print(json.dumps(out), flush=True)
        channel.close()


if __name__ == "__main__":
    main()
