/** Spans → bytes for each format the core writes. */
import type { EncodeFormat, Span } from '../model';
import { encodeJaeger } from './jaeger';
import { encodeOtlpJson } from './otlpJson';
import { encodeOtlpProto } from './otlpProto';
import { encodeZipkin } from './zipkin';

export interface Encoded {
  contentType: string;
  body: string | Uint8Array;
}

export function encodeSpans(spans: readonly Span[], format: EncodeFormat): Encoded {
  switch (format) {
    case 'zipkin':
      return { contentType: 'application/json', body: JSON.stringify(encodeZipkin(spans)) };
    case 'otlp-json':
      return { contentType: 'application/json', body: JSON.stringify(encodeOtlpJson(spans)) };
    case 'otlp-proto':
      return { contentType: 'application/x-protobuf', body: encodeOtlpProto(spans) };
    case 'jaeger':
      return { contentType: 'application/json', body: JSON.stringify(encodeJaeger(spans)) };
  }
}

export const ENCODE_FORMATS: readonly EncodeFormat[] = ['zipkin', 'otlp-json', 'otlp-proto', 'jaeger'];
