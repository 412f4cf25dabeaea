import QRCode from 'qrcode';

/**
 * A sheet's QR code as an SVG data URI: vector, so it prints sharp at its 14 mm, and made in about a
 * millisecond (a PNG makes pngjs try five row filters per row in JavaScript: tens of milliseconds each,
 * a tenth of the CPU the test suite spent in its own process).
 */
export async function qrSvgDataUri(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
