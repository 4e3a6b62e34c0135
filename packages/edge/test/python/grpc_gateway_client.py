"""A non-Node client of the gateway: Debian's python3-grpcio calls gRPC paths through nginx and
decodes grpc-status-details-bin into google.rpc.Status, ErrorInfo and RequestInfo with
python3-protobuf (grpcio-status is not packaged: the Status is decoded as it would decode it).

Usage: grpc_gateway_client.py TARGET GENERATED_DIR CA_FILE|- PATH...   (one JSON object per PATH)
"""
import json
import sys

import grpc
from rich_status import decode, load


def channel_of(target, ca_file):
    if ca_file == "-":
        return grpc.insecure_channel(target)
    with open(ca_file, "rb") as handle:
        creds = grpc.ssl_channel_credentials(root_certificates=handle.read())
    return grpc.secure_channel(target, creds, options=(("grpc.ssl_target_name_override", "localhost"),))


def main():
    target, gen_dir, ca_file, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    status_pb2 = load(gen_dir, "status_pb2")
    details_pb2 = load(gen_dir, "error_details_pb2")
    channel = channel_of(target, ca_file)
    for path in paths:
        out = {"path": path}
        call = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
        try:
            _, rpc = call.with_call(b"{}", timeout=10)
            out["code"] = 0
            out["header_id"] = dict(rpc.initial_metadata() or ()).get("x-request-id")
        except grpc.RpcError as error:
            out["code"] = error.code().value[0]
            out["details"] = error.details()
            trailers = list(error.trailing_metadata() or ())
            out["trailer_keys"] = sorted(key for key, _ in trailers)
            out["request_ids"] = [value for key, value in trailers if key == "x-request-id"]
            blob = dict(trailers).get("grpc-status-details-bin")
            if blob is not None:
                decode(blob, status_pb2, details_pb2, out)
        print(json.dumps(out), flush=True)
    channel.close()


if __name__ == "__main__":
    main()
