/**
 * What a user is told when safety stops a request, in the tenant's language: the messages come
 * from data/safety/messages.json (loaded by the application), with English built in so a missing
 * or partial file never leaves a user without a message.
 */
import { hazardNames, type Hazard, type StandardHazard } from './hazards.js';

export interface LanguageMessages {
  readonly blocked: string;
  readonly blockedAnswer: string;
  readonly unavailable: string;
  readonly hazards: Readonly<Partial<Record<StandardHazard, string>>>;
}

export type SafetyMessages = Readonly<Record<string, LanguageMessages>>;

export const englishMessages: LanguageMessages = {
  blocked: 'This request was blocked by the safety policy ({hazard}).',
  blockedAnswer: 'The answer was stopped by the safety policy ({hazard}).',
  unavailable: 'The safety check is unavailable; the request was not processed.',
  hazards: hazardNames,
};

function hazardName(language: LanguageMessages, hazard: Hazard): string {
  if (hazard.startsWith('custom:')) return hazard.slice('custom:'.length);
  return language.hazards[hazard as StandardHazard] ?? hazardNames[hazard as StandardHazard];
}

export function blockedMessage(messages: SafetyMessages, language: string, hazard: Hazard, where: 'input' | 'output'): string {
  const chosen = messages[language] ?? englishMessages;
  const template = where === 'input' ? chosen.blocked : chosen.blockedAnswer;
  return template.replace('{hazard}', hazardName(chosen, hazard));
}

export function unavailableMessage(messages: SafetyMessages, language: string): string {
  return (messages[language] ?? englishMessages).unavailable;
}
