"""Emit one small trace with the real OpenTelemetry Python SDK, through every exporter a user meets.

foo -> bar -> baz, as in the reference otel-python-zipkin.py, plus a failing span with a recorded
exception (a real Python traceback) and code.* attributes. Usage:
    emit.py BASE_URL   (e.g. http://127.0.0.1:PORT; OTLP goes to BASE/v1/traces, Zipkin to BASE/api/v2/spans)
    emit.py [--otlp URL] [--zipkin URL] [--otlp-grpc HOST:PORT]   (only the exporters named: one backend each;
    OTLP/gRPC gzip-compressed, without TLS)
The ConsoleSpanExporter writes to stdout, exactly as users paste it.
"""
import sys

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

args = sys.argv[1:]
if args and args[0].startswith("--"):
    urls = dict(zip(args[0::2], args[1::2]))
    otlp_url, zipkin_url, grpc_url = urls.get("--otlp"), urls.get("--zipkin"), urls.get("--otlp-grpc")
else:
    otlp_url, zipkin_url, grpc_url = args[0] + "/v1/traces", args[0] + "/api/v2/spans", None
provider = TracerProvider(resource=Resource.create({SERVICE_NAME: "py-sdk-service"}))
provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
if otlp_url:
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=otlp_url)))
if zipkin_url:
    provider.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=zipkin_url)))
if grpc_url:
    from grpc import Compression
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

    provider.add_span_processor(SimpleSpanProcessor(GrpcExporter(endpoint=grpc_url, insecure=True, compression=Compression.Gzip)))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("contract-test", "1.0.0")


def fail():
    raise ValueError("boom from python")


with tracer.start_as_current_span("foo", kind=trace.SpanKind.SERVER) as foo:
    foo.set_attribute("http.status_code", 200)
    with tracer.start_as_current_span("bar"):
        with tracer.start_as_current_span("baz") as baz:
            baz.set_attribute("code.file.path", __file__)
            baz.set_attribute("code.line.number", 31)
            baz.set_attribute("code.function.name", "fail")
            try:
                fail()
            except ValueError as e:
                baz.record_exception(e)
                baz.set_status(trace.Status(trace.StatusCode.ERROR, "boom from python"))

provider.shutdown()
