"""Shared by the gateway's Python gRPC clients: the protoc-generated google.rpc modules, loaded from
the directory the test generated them in, and grpc-status-details-bin decoded into a dict (Debian
packages no grpcio-status: the Status is decoded as it would decode it)."""
import importlib.util
import os


def load(gen_dir, name):
    """The generated module google/rpc/<name>.py under gen_dir."""
    path = os.path.join(gen_dir, "google", "rpc", name + ".py")
    spec = importlib.util.spec_from_file_location("faultline_" + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def decode(blob, status_pb2, details_pb2, out):
    """Writes the google.rpc.Status in blob into out: code, message, ErrorInfo, RequestInfo."""
    status = status_pb2.Status()
    status.ParseFromString(blob)
    out["status_code"] = status.code
    out["status_message"] = status.message
    for detail in status.details:
        if detail.Is(details_pb2.ErrorInfo.DESCRIPTOR):
            info = details_pb2.ErrorInfo()
            detail.Unpack(info)
            out["reason"] = info.reason
            out["domain"] = info.domain
            out["metadata"] = dict(info.metadata)
        elif detail.Is(details_pb2.RequestInfo.DESCRIPTOR):
            request = details_pb2.RequestInfo()
            detail.Unpack(request)
            out["request_info_id"] = request.request_id
        else:
            out.setdefault("other_details", []).append(detail.type_url)
