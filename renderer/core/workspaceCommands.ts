/**
 * How the open case's workspace hands its actions (new entity, link, delete, export, tabs) to the
 * shell's command runner: the shell provides a register function, the workspace calls
 * `useWorkspaceCommands` with its current actions, and they are withdrawn when it unmounts.
 */
import { createContext, useContext, useEffect } from 'react';
import type { WorkspaceActions } from './commands.ts';

export type RegisterWorkspace = (actions: WorkspaceActions | undefined) => void;

export const WorkspaceCommandsContext = createContext<RegisterWorkspace>(() => undefined);

export function useWorkspaceCommands(actions: WorkspaceActions): void {
  const register = useContext(WorkspaceCommandsContext);
  useEffect(() => {
    register(actions);
  }, [register, actions]);
  useEffect(() => () => register(undefined), [register]);
}
