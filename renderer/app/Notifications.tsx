import { useCallback, useRef, useState } from 'react';

export interface Notification {
  readonly id: number;
  readonly text: string;
  readonly kind: 'info' | 'error';
}

const INFO_LIFETIME_MS = 4000;

export function useNotifications() {
  const [messages, setMessages] = useState<Notification[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => {
    setMessages((list) => list.filter((message) => message.id !== id));
  }, []);
  const notify = useCallback(
    (text: string, kind: 'info' | 'error' = 'info') => {
      const id = nextId.current++;
      setMessages((list) => [...list.slice(-4), { id, text, kind }]);
      // Errors stay until dismissed: a lost error is a lost warning.
      if (kind === 'info') setTimeout(() => dismiss(id), INFO_LIFETIME_MS);
    },
    [dismiss],
  );
  return { messages, notify, dismiss };
}

export function Notifications({
  messages,
  onDismiss,
}: {
  messages: readonly Notification[];
  onDismiss: (id: number) => void;
}) {
  return (
    <div className="app-notifications" aria-live="polite">
      {messages.map((message) => (
        <div
          key={message.id}
          className={`app-notification app-notification-${message.kind}`}
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid={`notification-${message.kind}`}
        >
          <span>{message.text}</span>
          <button type="button" aria-label="Dismiss" onClick={() => onDismiss(message.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
