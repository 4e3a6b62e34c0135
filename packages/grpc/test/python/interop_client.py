"""Non-Node interop client: Debian's python3-grpcio calls the Node server and decodes
grpc-status-details-bin into google.rpc.Status and ErrorInfo with python3-protobuf.

Usage: interop_client.py PORT GENERATED_DIR KIND...   (prints one JSON object per KIND)
"""
import importlib.util
import json
import os
import sys

import grpc


def load(gen_dir, name):
    path = os.path.join(gen_dir, "google", "rpc", name + ".py")
    spec = importlib.util.spec_from_file_location("faultline_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    port, gen_dir, kinds = sys.argv[1], sys.argv[2], sys.argv[3:]
    status_pb2 = load(gen_dir, "status_pb2")
    details_pb2 = load(gen_dir, "error_details_pb2")
    channel = grpc.insecure_channel("127.0.0.1:" + port)
    get = channel.unary_unary("/demo.Orders/Get", request_serializer=None, response_deserializer=None)
    for kind in kinds:
        out = {"kind": kind}
        try:
            get(json.dumps({"kind": kind}).encode(), timeout=5)
            out["ok"] = True
        except grpc.RpcError as error:
            out["code"] = error.code().value[0]
            out["details"] = error.details()
            trailers = dict(error.trailing_metadata() or ())
            out["trailer_keys"] = sorted(trailers.keys())
            out["request_id"] = trailers.get("x-request-id")
            blob = trailers.get("grpc-status-details-bin")
            if blob is not None:
                status = status_pb2.Status()
                status.ParseFromString(blob)
                out["status_code"] = status.code
                out["status_message"] = status.message
                out["detail_types"] = [d.type_url for d in status.details]
                for detail in status.details:
                    if detail.Is(details_pb2.ErrorInfo.DESCRIPTOR):
                        info = details_pb2.ErrorInfo()
                        detail.Unpack(info)
                        out["reason"] = info.reason
                        out["domain"] = info.domain
                        out["metadata"] = dict(info.metadata)
                    elif detail.Is(details_pb2.BadRequest.DESCRIPTOR):
                        bad = details_pb2.BadRequest()
                        detail.Unpack(bad)
                        out["field_violations"] = [[v.field, v.description] for v in bad.field_violations]
        print(json.dumps(out), flush=True)
    channel.close()


if __name__ == "__main__":
    main()
