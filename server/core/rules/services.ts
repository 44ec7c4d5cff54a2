import { SERVICE_NAME } from '../../../types/api.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { ServiceRecord, ServiceSettings } from '../model.js';
import type { Reads, Tx } from '../ports.js';

/**
 * A hidden service: a name no request can give (service names start with a letter or digit), under
 * which an import writes a service before it is renamed to its own, whole. Not listed, nothing of it
 * is due, and the API cannot reach it.
 */
export const HIDDEN = '_';
export const isHidden = (name: string) => name.startsWith(HIDDEN);
/** Where a service is imported before it appears: one per name, so a failed import's leftovers are found again. */
export const importingName = (name: string) => `${HIDDEN}import-${name}`;

export async function requireService(tx: Reads, name: string): Promise<ServiceRecord> {
  const service = await tx.service(name);
  if (!service) throw notFound('service_not_found', `Service "${name}" does not exist`);
  return service;
}

export function checkServiceName(name: string): void {
  if (!SERVICE_NAME.test(name)) {
    throw invalid('invalid_service_name', 'A service name is 1-64 letters, digits, "_" or "-", starting with a letter or digit');
  }
}

export async function createService(tx: Tx, name: string, key: string, settings?: ServiceSettings): Promise<ServiceRecord> {
  checkServiceName(name);
  // Names that differ only in case would share a folder on case-insensitive file systems, and read
  // as the same service to people.
  const clash = await tx.serviceIgnoringCase(name);
  if (clash?.name === name) throw conflict('service_exists', `Service "${name}" already exists`);
  if (clash) throw conflict('service_exists', `Service "${clash.name}" exists; names may not differ only in case`);
  const record: ServiceRecord = { name, key, createdAt: tx.now.toISOString(), ...(settings ? { settings } : {}) };
  tx.put({ t: 'service', v: record });
  tx.emit({ type: 'service.created', service: name, at: record.createdAt });
  return record;
}

/** A new key; `previousKeyUntil` says until when the old one still works (a rotation's grace), if at all. */
export async function setServiceKey(tx: Tx, name: string, key: string, previousKeyUntil: string | null = null): Promise<ServiceRecord> {
  const record = { ...(await requireService(tx, name)), key };
  tx.put({ t: 'service', v: record });
  tx.emit({ type: 'service.key_rotated', service: name, previousKeyUntil, at: tx.now.toISOString() });
  return record;
}

export async function updateServiceSettings(tx: Tx, name: string, settings: ServiceSettings): Promise<ServiceRecord> {
  const current = await requireService(tx, name);
  const record = { ...current, settings: { ...current.settings, ...settings } };
  tx.put({ t: 'service', v: record });
  tx.emit({ type: 'service.updated', service: name, settings: Object.keys(settings), at: tx.now.toISOString() });
  return record;
}

/** Removes the service with everything in it. */
export async function deleteService(tx: Tx, name: string): Promise<ServiceRecord> {
  const record = await requireService(tx, name);
  tx.put({ t: 'service-', n: name });
  tx.emit({ type: 'service.deleted', service: name, at: tx.now.toISOString() });
  return record;
}
