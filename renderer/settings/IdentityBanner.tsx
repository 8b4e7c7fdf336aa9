import { useState } from 'react';
import type { FormEvent } from 'react';
import { isIdentityUnset } from '../../shared/contract/index.ts';
import type { Settings } from '../../shared/contract/index.ts';
import { useAppServices } from '../core/context.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { lengthProblem } from '../../shared/model/limits.ts';
import './identity.css';

/** "Later" hides the prompt for this session only: it comes back at the next start. */
const LATER_KEY = 'tessera.identityLater';
const NAME_LIMIT = 200;

interface IdentityBannerProps {
  readonly onChange: (patch: Partial<Settings>) => Promise<void>;
}

/**
 * Asks, once the workbench is open, for the investigator's name and agency while the name is
 * still the default (issue 12): provenance and the audit trail record them on every change. Not a
 * modal: the lock screen's first-start passphrase comes before it, and work can go on meanwhile.
 */
export function IdentityBanner({ onChange }: IdentityBannerProps) {
  const { settings, notify } = useAppServices();
  const [later, setLater] = useState(() => sessionStorage.getItem(LATER_KEY) === '1');
  const [name, setName] = useState('');
  const [agency, setAgency] = useState(settings.agencyName);
  const [problem, setProblem] = useState<string>();
  if (later || !isIdentityUnset(settings)) return null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const userName = name.trim();
    const agencyName = agency.trim();
    const missing = !userName ? 'Your name is needed' : !agencyName ? 'Your agency is needed' : '';
    const tooLong =
      lengthProblem('Your name', userName, NAME_LIMIT) ??
      lengthProblem('The agency', agencyName, NAME_LIMIT);
    if (missing || tooLong || isIdentityUnset({ userName })) {
      setProblem(missing || tooLong || 'Write your own name, not "investigator"');
      return;
    }
    try {
      await onChange({ userName, agencyName });
      notify(`Changes are now recorded as ${userName}, ${agencyName}.`);
    } catch (error) {
      setProblem(errorMessage(error));
    }
  };

  return (
    <form
      className="identity-banner"
      aria-label="Who is working"
      data-testid="identity-banner"
      onSubmit={(event) => void submit(event)}
    >
      <p>
        <strong>Who is working?</strong> Recorded with every change (provenance, audit trail).
      </p>
      <label>
        <span>Your name</span>
        <input
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="e.g. Insp. Ana Vlad"
          data-testid="investigator-name"
        />
      </label>
      <label>
        <span>Agency</span>
        <input
          value={agency}
          onChange={(event) => setAgency(event.target.value)}
          data-testid="investigator-agency"
        />
      </label>
      <button type="submit" className="primary" data-testid="identity-save">
        Save
      </button>
      <button
        type="button"
        onClick={() => {
          sessionStorage.setItem(LATER_KEY, '1');
          setLater(true);
        }}
      >
        Later
      </button>
      {problem && (
        <p className="error-text" role="alert" data-testid="identity-problem">
          {problem}
        </p>
      )}
    </form>
  );
}
